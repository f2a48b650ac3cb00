"""Alert rules over the Picture (Qt-free): ``RuleEngine(RuleConfig()).evaluate(picture, t)``
returns every (subject, rule) condition holding at ``t``. The server turns conditions
into alerts (deduplication, hysteresis, acknowledgement); see cop_app/server/alerting.py.
"""

from cop_app.core.rules.condition import Condition, Conditions
from cop_app.core.rules.config import RULES, RuleConfig
from cop_app.core.rules.engine import RuleEngine

__all__ = ["RULES", "Condition", "Conditions", "RuleConfig", "RuleEngine"]

"""Text that is safe to put in XML 1.0, whatever a feed sent.

ElementTree escapes ``& < > "`` but writes control characters as they are, and XML
1.0 forbids most of them (section 2.2, Char): one stray 0x01 in a vessel name
would make the whole KML or CoT file unreadable. They become U+FFFD, so the reader
sees that something was there.
"""

from __future__ import annotations

import re

_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", str(text))

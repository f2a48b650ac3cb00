"""cop_app.store"""

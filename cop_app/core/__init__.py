"""cop_app.core"""

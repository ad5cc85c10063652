"""The merchant console (`/merchant`): server-rendered pages behind a login, no build step.

`routes.router` holds every page; every route except the login form requires a merchant
session, and `deps.install_handlers` turns a missing one into the login page.
"""

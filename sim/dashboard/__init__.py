"""The browser dashboard: Solara components on top of the model (the model never imports them)."""

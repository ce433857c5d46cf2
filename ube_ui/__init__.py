"""Shared pieces of the Streamlit pages: the engine, the access guard, formatting, widgets."""

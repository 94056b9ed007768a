"""Streamlit views: the only part of ganlab that imports streamlit."""

"""The officers' chat (Gradio) and the server that also carries the JSON API."""

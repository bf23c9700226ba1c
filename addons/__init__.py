"""Custom Rasa components loaded by the Rasa server (NLU pipeline)."""

"""The long properties and smokes: marked slow, so `pytest -m "not slow"` (the everyday run) leaves them out."""

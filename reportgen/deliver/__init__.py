"""Delivery: emailing the built PDF briefing (``reportgen email``)."""

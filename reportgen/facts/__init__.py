"""The fact store: sources, entities, facts, derived metrics and conflicts."""

"""The rule-based director: a FilmPlan from the screenplay alone. breakdown.py is its front door (plan_by_rules);
cast.py finds the characters' looks and voices, scenes.py each scene's mood and sound, coverage.py the shots,
directions.py the camera directions and sounds written in capitals, timing.py how long each thing plays.
"""

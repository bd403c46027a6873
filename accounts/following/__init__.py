"""Following: each person's level (watching, normal, muted) on a category, tag, article or question.

models.py holds the `follow` rows, services.py the levels, the lookup of what can be followed
(the domains that own articles, questions and tags answer `followable_asked`) and the fan-out of
"something new in what you watch"; views.py and api.py are its page forms and /api/v1/follows.
"""

"""Recognition awards: expert titles, badges (automatic and lead-awarded), kudos and the feed.

`recognition.awards.services` is the public surface; importing it registers what other domains
consult (expert permissions from current titles, profile JSON, the title-holder check of the
candidates list, notification kinds, knowledge-base event hooks).
"""

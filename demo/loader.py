"""Loading the demo: people, teams and each domain's examples, in the order they build on."""
from demo.awards import load_awards
from demo.kb import load_kb
from demo.mentoring import load_mentoring
from demo.people import load_people
from demo.questions import load_questions
from demo.resolutions import load_resolutions

DEMO_PASSWORD = "knowhow-demo"


def load_demo_data():
    """Load every part of the demo that is not there yet; returns summary lines."""
    summary = []
    summary.extend(load_people(DEMO_PASSWORD))
    summary.extend(load_kb())
    summary.extend(load_resolutions())
    summary.extend(load_awards())
    # After the titles and resolution data: new questions are routed to the experts they make.
    summary.extend(load_questions())
    summary.extend(load_mentoring())
    return summary

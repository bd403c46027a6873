"""Demo people and teams of a telecom contact centre in Tehran, Dubai and Bangkok."""
from accounts import services

TEAMS = {"Tehran": "leila", "Dubai": "omar", "Bangkok": "pim"}

# username, display name, role, team, locale
PEOPLE = (
    ("admin", "Ava Admin", "admin", None, "en"),
    ("leila", "Leila Ahmadi", "lead", "Tehran", "fa"),
    ("omar", "Omar Haddad", "lead", "Dubai", "ar"),
    ("pim", "Pim Suwan", "lead", "Bangkok", "th"),
    ("sara", "Sara Karimi", "agent", "Tehran", "fa"),
    ("reza", "Reza Moradi", "agent", "Tehran", "fa"),
    ("nima", "Nima Jafari", "agent", "Tehran", "fa"),
    ("emma", "Emma Wilson", "agent", "Tehran", "en"),
    ("fatima", "Fatima Al-Sayed", "agent", "Dubai", "ar"),
    ("yusuf", "Yusuf Nasser", "agent", "Dubai", "ar"),
    ("layla", "Layla Haddad", "agent", "Dubai", "ar"),
    ("james", "James Carter", "agent", "Dubai", "en"),
    ("somchai", "Somchai Srisuk", "agent", "Bangkok", "th"),
    ("nok", "Nok Chaiyaporn", "agent", "Bangkok", "th"),
    ("anong", "Anong Boonma", "agent", "Bangkok", "th"),
)

DEMO_LOGINS = ("admin", "leila", "sara", "james")


def load_people(password):
    """Create the demo users and teams that do not exist yet."""
    created = 0
    for username, name, role, team, locale in PEOPLE:
        if services.get_user(username) is None:
            services.create_user(username, role=role, password=password, display_name=name,
                                 team=team, locale=locale)
            created += 1
    for team, lead in TEAMS.items():
        services.save_team(team, lead)
    return ["people: %d created, %d in the demo" % (created, len(PEOPLE))]

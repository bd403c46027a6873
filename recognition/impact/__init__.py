"""Knowledge impact: contacts linked to the articles used on them, what each article does to
first-contact resolution, handle time and satisfaction, and the knowledge measures (KCS)."""

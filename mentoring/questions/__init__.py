"""Peer questions and answers: ask, answer, vote, accept, ask-an-expert routing, promotion."""

"""The electing meetings: county meetings and the Landsting, with one shared ballot."""

"""The grid worker's phone: the due list (their home page), logging a visit with the
four knows and a photo, the person's service card, and the concerns noted on it."""

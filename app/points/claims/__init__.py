"""Claims and awards: the two human ways onto the ledger. A grid worker or member
claims an item for a member (forms, photos), the branch secretary approves or rejects
it, or awards directly (service); the claim form's choices and the lists of claims
(lists), with their routes and templates."""

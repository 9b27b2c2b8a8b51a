"""The dashboard: the board each role sees first after logging in (the platform's
signups, a district administrator's accounts and getting-started steps, a member's
points and requests) and the counts of service requests waiting."""

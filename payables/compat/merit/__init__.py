"""Merit Aktiva's purchase invoice API, served by payables (README: "Moving from Merit Aktiva")."""

"""Grids (网格): the district admin names them, ties each to an org unit, sets its visit
targets and grid workers and retires it; everyone else sees the grids their scope
gives them, with their people and a person's assignment history."""

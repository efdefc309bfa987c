"""ksgov test suite: unit, activities, workflows, e2e."""

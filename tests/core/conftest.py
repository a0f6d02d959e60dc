from tests.core.scratch import fixtures

scratch_template, scratch = fixtures()

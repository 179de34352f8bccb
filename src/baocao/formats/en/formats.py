# English pages keep the Vietnamese formats: dates dd/mm/yyyy, numbers 1.234.567,5.
from baocao.formats.vi.formats import *  # noqa: F401,F403

// The declarations are in include/CLibFuzzer.h; libFuzzer itself is linked by
// `-sanitize=fuzzer` (see scripts/fuzz).
#include "CLibFuzzer.h"

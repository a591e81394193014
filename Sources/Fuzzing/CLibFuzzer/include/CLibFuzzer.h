// libFuzzer's entry point for programs that have a main of their own
// (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library). SwiftPM gives
// every executable its own main, so the fuzzers call the driver from there.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for a program with its own main: runs `callback` on
/// each input, with libFuzzer's command-line options (see its documentation).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

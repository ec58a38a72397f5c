// The declaration in include/FuzzDriver.h is all this target provides: libFuzzer defines the function.
#include "FuzzDriver.h"

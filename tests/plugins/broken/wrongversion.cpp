#include "wrongversion.h"

#include "otherinterface.h"

#include "duplicatetype.h"

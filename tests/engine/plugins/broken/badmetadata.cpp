#include "badmetadata.h"

/* fake iPXE configuration */
#include <config/local/general.h>

// The C interface to BLAS, from Debian's libopenblas-dev.
#include <cblas.h>
// OpenBLAS's own: how many threads a call may use.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* A translation unit for the fake iPXE tree: proves the real C compiler ran. */
int chainboot_fake_ipxe(int x) { return x * 2 + 1; }

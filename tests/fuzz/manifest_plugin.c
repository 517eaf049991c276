/* The plugin the manifest harness loads through the real loader (dlopen + ABI handshake +
 * courtyard_plugin_init + the loader's checks). Its courtyard_plugin_init returns whatever
 * manifest the harness executable currently offers through its exported function
 * courtyard_fuzz_manifest (looked up in the global scope: the harness links with
 * -rdynamic). Not a real plugin; built only by tests/fuzz/CMakeLists.txt. */
#define _GNU_SOURCE
#include "courtyard/plugin.h"

#include <dlfcn.h>
#include <stddef.h>

typedef const courtyard_plugin_info* (*manifest_fn)(void);

uint32_t courtyard_plugin_abi_version(void) { return COURTYARD_PLUGIN_ABI_VERSION; }

int courtyard_plugin_init(const courtyard_host* host, courtyard_plugin_info* info) {
  (void)host;
  manifest_fn get = (manifest_fn)dlsym(RTLD_DEFAULT, "courtyard_fuzz_manifest");
  if (!get) return 2;
  const courtyard_plugin_info* m = get();
  if (!m) return 1; /* the harness asks for a failed init */
  *info = *m;
  return 0;
}

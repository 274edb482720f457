/* The one translation unit that compiles stb_image and stb_image_write
 * (headers from Debian's libstb-dev).  PNG and JPEG only; dimensions capped
 * below stb's default; never flip on load.
 *
 * Keep STBI_MALLOC/STBI_FREE at their defaults (malloc/free): render/image.c
 * adopts decoded buffers into render_image and frees them with free().
 * stb 2.27 is not hardened: render/image.c validates the container (PNG
 * chunks and CRCs, JPEG segments, tables used by each scan) before any stb
 * call; STBI_ASSERT stays enabled so an unforeseen inconsistency aborts
 * rather than reading out of bounds. */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#include <stb_image.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

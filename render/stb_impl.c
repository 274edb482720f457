/* The one translation unit that compiles stb_image and stb_image_write
 * (headers from Debian's libstb-dev).  PNG and JPEG only; dimensions capped
 * below stb's default; never flip on load. */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#include <stb_image.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>

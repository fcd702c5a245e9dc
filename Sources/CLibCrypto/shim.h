// The system's OpenSSL libcrypto, for SHA-1 on Linux (git object ids). FoundationNetworking's libcurl
// links the same library already, so the app loads nothing new; Apple platforms use CryptoKit instead.
#include <openssl/evp.h>

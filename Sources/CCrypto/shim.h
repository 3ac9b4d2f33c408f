#ifndef ROOTWATCHD_CCRYPTO_SHIM_H
#define ROOTWATCHD_CCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>

/* EVP_sha1()/EVP_sha256() import fine; these wrappers keep the Swift call sites free of
   OpenSSL's length types. */
static inline int rw_hmac(const EVP_MD *md, const void *key, int key_len, const unsigned char *data,
                          size_t data_len, unsigned char *out, unsigned int *out_len) {
    return HMAC(md, key, key_len, data, data_len, out, out_len) != NULL;
}

static inline int rw_digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out,
                            unsigned int *out_len) {
    return EVP_Digest(data, len, out, out_len, md, NULL);
}

#endif

/*
 * nlerr.c — map libnl's NLE_* error codes back to errnos.
 *
 * libnl reports kernel errors through nl_syserr2nlerr(), which folds errnos
 * into its own codes. The table below is that function read backwards, for
 * the codes the address and link code can meet; anything else becomes -EIO
 * so that a caller always gets a negative errno it can print with strerror.
 */
#include <errno.h>

#include <netlink/errno.h>

#include "failover/nlerr.h"

int nlerr_to_errno(int nlerr)
{
	static const struct {
		int nle;
		int err;
	} map[] = {
		{ NLE_INTR, EINTR },
		{ NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN },
		{ NLE_NOMEM, ENOMEM },
		{ NLE_EXIST, EEXIST },
		{ NLE_INVAL, EINVAL },
		{ NLE_RANGE, ERANGE },
		{ NLE_MSGSIZE, EMSGSIZE },
		{ NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_OBJ_NOTFOUND, ENOENT },
		{ NLE_NOATTR, ENOENT },
		{ NLE_MISSING_ATTR, EINVAL },
		{ NLE_AF_MISMATCH, EAFNOSUPPORT },
		{ NLE_SEQ_MISMATCH, EPROTO },
		{ NLE_MSG_OVERFLOW, EMSGSIZE },
		{ NLE_MSG_TRUNC, EMSGSIZE },
		{ NLE_NOADDR, EADDRNOTAVAIL },
		{ NLE_SRCRT_NOSUPPORT, EOPNOTSUPP },
		{ NLE_MSG_TOOSHORT, EPROTO },
		{ NLE_MSGTYPE_NOSUPPORT, EOPNOTSUPP },
		{ NLE_OBJ_MISMATCH, EINVAL },
		{ NLE_NOCACHE, ENOENT },
		{ NLE_BUSY, EBUSY },
		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_NOACCESS, EACCES },
		{ NLE_PERM, EPERM },
		{ NLE_PKTLOC_FILE, ENOENT },
		{ NLE_PARSE_ERR, EPROTO },
		{ NLE_NODEV, ENODEV },
		{ NLE_IMMUTABLE, EPERM },
		{ NLE_DUMP_INTR, EINTR },
		{ NLE_ATTRSIZE, EMSGSIZE },
	};
	int code = nlerr < 0 ? -nlerr : nlerr;

	if (nlerr >= 0)
		return nlerr;
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].nle == code)
			return -map[i].err;
	return -EIO;
}

/* An application's lookup: getaddrinfo() with the hints of glibc's `getent ahosts` (any family the
 * host has an address of, one line per address and socket type), printed in getent's format so that
 * one parser reads both. Built here against musl, so that the probe image holds musl's resolver
 * beside Debian's glibc. Exit status as getent's: 0 found, 2 not found; 3 any other failure. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *found, *ai;
	char text[INET6_ADDRSTRLEN];
	int err;

	if (argc != 3 || (strcmp(argv[1], "ahosts") && strcmp(argv[1], "ahostsv4") && strcmp(argv[1], "ahostsv6"))) {
		fprintf(stderr, "usage: %s ahosts|ahostsv4|ahostsv6 NAME\n", argv[0]);
		return 3;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = !strcmp(argv[1], "ahostsv4") ? AF_INET : !strcmp(argv[1], "ahostsv6") ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG | AI_CANONNAME;
	err = getaddrinfo(argv[2], NULL, &hints, &found);
	if (err) {
		fprintf(stderr, "%s: %s\n", argv[2], gai_strerror(err));
		return err == EAI_NONAME ? 2 : 3;
	}
	for (ai = found; ai; ai = ai->ai_next) {
		const void *addr = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
		                                            : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if (!inet_ntop(ai->ai_family, addr, text, sizeof text))
			continue;
		printf("%-15s STREAM %s\n", text, ai == found && ai->ai_canonname ? ai->ai_canonname : "");
	}
	freeaddrinfo(found);
	return 0;
}

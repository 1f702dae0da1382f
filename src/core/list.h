/* Intrusive doubly linked lists with a head pointer: an object links itself through a pair of
 * its own fields (prev/next, or s_prev/s_next for a second list), named at each use. */
#pragma once

/* Puts item first in the list at head. item's prev field must be NULL (a zeroed object). */
#define LIST_PREPEND(head, item, prev, next)                                                       \
	do {                                                                                       \
		(item)->next = (head);                                                             \
		if (head)                                                                          \
			(head)->prev = (item);                                                     \
		(head) = (item);                                                                   \
	} while (0)

/* Takes item out of the list at head; its own prev and next are left as they were. */
#define LIST_UNLINK(head, item, prev, next)                                                        \
	do {                                                                                       \
		if ((item)->prev)                                                                  \
			(item)->prev->next = (item)->next;                                         \
		else                                                                               \
			(head) = (item)->next;                                                     \
		if ((item)->next)                                                                  \
			(item)->next->prev = (item)->prev;                                         \
	} while (0)

/* The method table: every RPC method of nsring.v1.NsRing that ops_call() runs, its request
 * type, its first step, whether a batch may pipeline it and its scratch size. A new method is
 * one row here. */
#include <string.h>

#include "core/macro.h"
#include "ops-internal.h"
#include "ops-tc-internal.h"

static const OpMethod methods[] = {
	{ "CreateNamespace", &nsring__v1__create_namespace_request__descriptor,
	  ops_create_namespace },
	{ "DeleteNamespace", &nsring__v1__delete_namespace_request__descriptor,
	  ops_delete_namespace },
	{ "ListNamespaces", &nsring__v1__list_namespaces_request__descriptor, ops_list_namespaces },
	{ "CreateLink", &nsring__v1__create_link_request__descriptor, ops_create_link, true,
	  &ops_link_scratch_size },
	{ "GetLink", &nsring__v1__get_link_request__descriptor, ops_get_link, true,
	  &ops_link_scratch_size },
	{ "ListLinks", &nsring__v1__list_links_request__descriptor, ops_list_links, false,
	  &ops_link_scratch_size },
	{ "UpdateLink", &nsring__v1__update_link_request__descriptor, ops_update_link, true,
	  &ops_link_scratch_size },
	{ "DeleteLink", &nsring__v1__delete_link_request__descriptor, ops_delete_link, true },
	{ "UpdateBridgePort", &nsring__v1__update_bridge_port_request__descriptor,
	  ops_update_bridge_port, true, &ops_bridge_scratch_size },
	{ "CreateBridgeVlan", &nsring__v1__create_bridge_vlan_request__descriptor,
	  ops_create_bridge_vlan, true, &ops_bridge_scratch_size },
	{ "DeleteBridgeVlan", &nsring__v1__delete_bridge_vlan_request__descriptor,
	  ops_delete_bridge_vlan, true, &ops_bridge_scratch_size },
	{ "ListBridgeVlans", &nsring__v1__list_bridge_vlans_request__descriptor,
	  ops_list_bridge_vlans, false, &ops_bridge_scratch_size },
	{ "CreateAddress", &nsring__v1__create_address_request__descriptor, ops_create_address,
	  true, &ops_addr_scratch_size },
	{ "DeleteAddress", &nsring__v1__delete_address_request__descriptor, ops_delete_address,
	  true, &ops_addr_scratch_size },
	{ "ListAddresses", &nsring__v1__list_addresses_request__descriptor, ops_list_addresses },
	{ "CreateRoute", &nsring__v1__create_route_request__descriptor, ops_create_route, true,
	  &ops_route_scratch_size },
	{ "DeleteRoute", &nsring__v1__delete_route_request__descriptor, ops_delete_route, true,
	  &ops_route_scratch_size },
	{ "ListRoutes", &nsring__v1__list_routes_request__descriptor, ops_list_routes },
	{ "GetSysctl", &nsring__v1__get_sysctl_request__descriptor, ops_get_sysctl },
	{ "SetSysctl", &nsring__v1__set_sysctl_request__descriptor, ops_set_sysctl },
	/* Traffic control (ops-tc.c, ops-tc-list.c). */
	{ "CreateQdisc", &nsring__v1__create_qdisc_request__descriptor, ops_create_qdisc, true,
	  &ops_tc_scratch_size },
	{ "DeleteQdisc", &nsring__v1__delete_qdisc_request__descriptor, ops_delete_qdisc, true,
	  &ops_tc_scratch_size },
	{ "ListQdiscs", &nsring__v1__list_qdiscs_request__descriptor, ops_list_qdiscs, false,
	  &ops_tc_list_scratch_size },
	{ "CreateClass", &nsring__v1__create_class_request__descriptor, ops_create_class, true,
	  &ops_tc_scratch_size },
	{ "DeleteClass", &nsring__v1__delete_class_request__descriptor, ops_delete_class, true,
	  &ops_tc_scratch_size },
	{ "ListClasses", &nsring__v1__list_classes_request__descriptor, ops_list_classes, false,
	  &ops_tc_list_scratch_size },
	{ "CreateFilter", &nsring__v1__create_filter_request__descriptor, ops_create_filter, true,
	  &ops_tc_scratch_size },
	{ "DeleteFilter", &nsring__v1__delete_filter_request__descriptor, ops_delete_filter, true,
	  &ops_tc_scratch_size },
	{ "ListFilters", &nsring__v1__list_filters_request__descriptor, ops_list_filters, false,
	  &ops_tc_list_scratch_size },
	/* Neighbours and FDB entries (ops-neigh.c). */
	{ "CreateNeighbor", &nsring__v1__create_neighbor_request__descriptor, ops_create_neighbor,
	  true, &ops_neigh_scratch_size },
	{ "DeleteNeighbor", &nsring__v1__delete_neighbor_request__descriptor, ops_delete_neighbor,
	  true, &ops_neigh_scratch_size },
	{ "ListNeighbors", &nsring__v1__list_neighbors_request__descriptor, ops_list_neighbors,
	  false, &ops_neigh_scratch_size },
	{ "CreateFdbEntry", &nsring__v1__create_fdb_entry_request__descriptor, ops_create_fdb_entry,
	  true, &ops_neigh_scratch_size },
	{ "DeleteFdbEntry", &nsring__v1__delete_fdb_entry_request__descriptor, ops_delete_fdb_entry,
	  true, &ops_neigh_scratch_size },
	{ "ListFdbEntries", &nsring__v1__list_fdb_entries_request__descriptor, ops_list_fdb_entries,
	  false, &ops_neigh_scratch_size },
	{ "GetRoute", &nsring__v1__get_route_request__descriptor, ops_get_route, true,
	  &ops_route_get_scratch_size },
	{ "CreateRule", &nsring__v1__create_rule_request__descriptor, ops_create_rule, true,
	  &ops_rule_scratch_size },
	{ "DeleteRule", &nsring__v1__delete_rule_request__descriptor, ops_delete_rule, true,
	  &ops_rule_scratch_size },
	{ "ListRules", &nsring__v1__list_rules_request__descriptor, ops_list_rules },
	{ "CreateNexthop", &nsring__v1__create_nexthop_request__descriptor, ops_create_nexthop,
	  true, &ops_nexthop_scratch_size },
	{ "DeleteNexthop", &nsring__v1__delete_nexthop_request__descriptor, ops_delete_nexthop,
	  true, &ops_nexthop_scratch_size },
	{ "ListNexthops", &nsring__v1__list_nexthops_request__descriptor, ops_list_nexthops },
	{ "Batch", &nsring__v1__batch_request__descriptor, ops_batch },
	{ "OpenSocket", &nsring__v1__open_socket_request__descriptor, ops_open_socket, false,
	  &ops_socket_scratch_size, true },
	{ "OpenNamespace", &nsring__v1__open_namespace_request__descriptor, ops_open_namespace,
	  false, NULL, true },
	{ "Netlink", &nsring__v1__netlink_request__descriptor, ops_netlink, false,
	  &ops_netlink_scratch_size },
};

const OpMethod *ops_method(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

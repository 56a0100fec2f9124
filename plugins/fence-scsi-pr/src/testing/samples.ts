/**
 * Tool output samples for the unit tests. WRITTEN FROM THE TOOLS' DOCUMENTED
 * FORMATS (sg3-utils sg_persist 0.67 man page and source layout, open-iscsi
 * `iscsiadm -m session -P 3`), not captured from a real run: CHECK each one
 * against a real LIO target in the VM lab and replace it with the capture.
 */

/** sg_persist --in --read-keys /dev/sdb, without --no-inquiry (so with the INQUIRY header). */
export const READ_KEYS_WITH_INQUIRY = `  LIO-ORG   lun0              4.0 
  Peripheral device type: disk
  PR generation=0x4, 2 registered reservation keys follow:
    0x1a2b000000000006
    0x3c4d000000000006
`;

/** sg_persist --in --no-inquiry --read-keys: one key (singular wording). */
export const READ_KEYS_ONE = `  PR generation=0x7, 1 registered reservation key follows:
    0x2000000000009
`;

export const READ_KEYS_NONE = `  PR generation=0x0, there are NO registered reservation keys
`;

/** sg_persist --in --no-inquiry --read-reservation, type 5 held. */
export const READ_RESERVATION_HELD = `  PR generation=0x7, Reservation follows:
    Key=0x2000000000009
    scope: LU_SCOPE,  type: Write Exclusive, registrants only
`;

export const READ_RESERVATION_NONE = `  PR generation=0x7, there is NO reservation held
`;

/** iscsiadm -m session -P 3 on an initiator logged in to two LIO targets (the two arrays of the mirror), one LUN each. */
export const ISCSI_SESSIONS_P3 = `iSCSI Transport Class version 2.0-870
version 2.1.8
Target: iqn.2003-01.org.linux-iscsi.stor1:mirror-a (non-flash)
	Current Portal: 10.0.3.21:3260,1
	Persistent Portal: 10.0.3.21:3260,1
		**********
		Interface:
		**********
		Iface Name: default
		Iface Transport: tcp
		Iface Initiatorname: iqn.1993-08.org.debian:01:db1
		Iface IPaddress: 10.0.3.11
		Iface HWaddress: default
		Iface Netdev: default
		SID: 1
		iSCSI Connection State: LOGGED IN
		iSCSI Session State: LOGGED_IN
		Internal iscsid Session State: NO CHANGE
		*********
		Timeouts:
		*********
		Recovery Timeout: 120
		Target Reset Timeout: 30
		LUN reset Timeout: 30
		Abort Timeout: 15
		************************
		Attached SCSI devices:
		************************
		Host Number: 2	State: running
		scsi2 Channel 00 Id 0 Lun: 0
			Attached scsi disk sdb		State: running
Target: iqn.2003-01.org.linux-iscsi.stor2:mirror-b (non-flash)
	Current Portal: 10.0.3.22:3260,1
	Persistent Portal: 10.0.3.22:3260,1
		**********
		Interface:
		**********
		Iface Name: default
		Iface Transport: tcp
		Iface Initiatorname: iqn.1993-08.org.debian:01:db1
		Iface IPaddress: 10.0.3.11
		SID: 2
		iSCSI Connection State: LOGGED IN
		iSCSI Session State: LOGGED_IN
		************************
		Attached SCSI devices:
		************************
		Host Number: 3	State: running
		scsi3 Channel 00 Id 0 Lun: 0
			Attached scsi disk sdc		State: running
		scsi3 Channel 00 Id 0 Lun: 1
			Attached scsi disk sdd		State: running
`;

/**
 * Output samples of the real tools. All but the last were CAPTURED in the VM lab on 2026-12-01
 * (Debian 12 guests, kernel 6.1, mdadm 4.2, open-iscsi 2.1.8, targetcli-fb 2.1.53): a node logged in to
 * two LIO storage hosts, created the mirror, lost one storage host under writes (powered off), got it
 * back and re-added it. EXAMINE_SURVIVOR is the captured examine of the survivor with its real
 * degraded `Array State : A.` line (the capture printed only the tail then); MDSTAT_RESYNC_AND_INACTIVE
 * is written from the kernel's /proc/mdstat format, not captured.
 */

/** `iscsiadm -m session -P 3` while array2's storage host is powered off: its session waits to reconnect. */
export const SESSIONS_P3 = `iSCSI Transport Class version 2.0-870
version 2.1.8
Target: iqn.2026-12.org.tandem:array1 (non-flash)
	Current Portal: 198.51.100.11:3260,1
	Persistent Portal: 198.51.100.11:3260,1
		**********
		Interface:
		**********
		Iface Name: tandem-storage
		Iface Transport: tcp
		Iface Initiatorname: iqn.2026-12.org.tandem:n1
		Iface IPaddress: 198.51.100.13
		Iface HWaddress: default
		Iface Netdev: eth1
		SID: 1
		iSCSI Connection State: LOGGED IN
		iSCSI Session State: LOGGED_IN
		Internal iscsid Session State: NO CHANGE
		*********
		Timeouts:
		*********
		Recovery Timeout: 15
		Target Reset Timeout: 30
		LUN Reset Timeout: 30
		Abort Timeout: 15
		*****
		CHAP:
		*****
		username: <empty>
		password: ********
		username_in: <empty>
		password_in: ********
		************************
		Negotiated iSCSI params:
		************************
		HeaderDigest: None
		DataDigest: None
		MaxRecvDataSegmentLength: 262144
		MaxXmitDataSegmentLength: 262144
		FirstBurstLength: 65536
		MaxBurstLength: 262144
		ImmediateData: Yes
		InitialR2T: Yes
		MaxOutstandingR2T: 1
		************************
		Attached SCSI devices:
		************************
		Host Number: 0	State: running
		scsi0 Channel 00 Id 0 Lun: 0
			Attached scsi disk sda		State: running
Target: iqn.2026-12.org.tandem:array2 (non-flash)
	Current Portal: 198.51.100.12:3260,1
	Persistent Portal: 198.51.100.12:3260,1
		**********
		Interface:
		**********
		Iface Name: tandem-storage
		Iface Transport: tcp
		Iface Initiatorname: iqn.2026-12.org.tandem:n1
		Iface IPaddress: [default]
		Iface HWaddress: default
		Iface Netdev: eth1
		SID: 2
		iSCSI Connection State: TRANSPORT WAIT
		iSCSI Session State: FREE
		Internal iscsid Session State: REOPEN
		*********
		Timeouts:
		*********
		Recovery Timeout: 15
		Target Reset Timeout: 30
		LUN Reset Timeout: 30
		Abort Timeout: 15
		*****
		CHAP:
		*****
		username: <empty>
		password: ********
		username_in: <empty>
		password_in: ********
		************************
		Negotiated iSCSI params:
		************************
		HeaderDigest: None
		DataDigest: None
		MaxRecvDataSegmentLength: 262144
		MaxXmitDataSegmentLength: 262144
		FirstBurstLength: 65536
		MaxBurstLength: 262144
		ImmediateData: Yes
		InitialR2T: Yes
		MaxOutstandingR2T: 1
		************************
		Attached SCSI devices:
		************************
		Host Number: 1	State: running
		scsi1 Channel 00 Id 0 Lun: 0
			Attached scsi disk sdb		State: transport-offline
`;

/** `mdadm --examine --export /dev/sda`. */
export const EXAMINE_EXPORT = `MD_LEVEL=raid1
MD_DEVICES=2
MD_NAME=n1:tandem-data
MD_ARRAY_SIZE=66.06MB
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_UPDATE_TIME=1796113433
MD_DEV_UUID=a441b5b6:985f972d:0c01ccc9:67a1c59a
MD_EVENTS=19
`;

/** `mdadm --examine /dev/sda` on the survivor: it recorded slot 1 as missing. */
export const EXAMINE_SURVIVOR = `/dev/sda:
          Magic : a92b4efc
        Version : 1.2
    Feature Map : 0x1
     Array UUID : 3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
           Name : n1:tandem-data  (local to host n1)
  Creation Time : Tue Dec  1 08:23:50 2026
     Raid Level : raid1
   Raid Devices : 2

 Avail Dev Size : 129024 sectors (63.00 MiB 66.06 MB)
     Array Size : 64512 KiB (63.00 MiB 66.06 MB)
    Data Offset : 2048 sectors
   Super Offset : 8 sectors
   Unused Space : before=1968 sectors, after=0 sectors
          State : clean
    Device UUID : a441b5b6:985f972d:0c01ccc9:67a1c59a

Internal Bitmap : 8 sectors from superblock
    Update Time : Tue Dec  1 08:23:53 2026
  Bad Block Log : 512 entries available at offset 16 sectors
       Checksum : 950ce9fa - correct
         Events : 19


   Device Role : Active device 0
   Array State : A. ('A' == active, '.' == missing, 'R' == replacing)
`;

/** `mdadm --detail --export /dev/md/tandem-data` with both members in sync. */
export const DETAIL_CLEAN = `MD_LEVEL=raid1
MD_DEVICES=2
MD_METADATA=1.2
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_DEVNAME=tandem-data
MD_NAME=n1:tandem-data
MD_DEVICE_dev_sda_ROLE=0
MD_DEVICE_dev_sda_DEV=/dev/sda
MD_DEVICE_dev_sdb_ROLE=1
MD_DEVICE_dev_sdb_DEV=/dev/sdb
`;

/** The same after array2 was lost: mdadm 4.2 prints the faulty member's role as `spare` (/proc/mdstat says (F)). */
export const DETAIL_FAULTY = `MD_LEVEL=raid1
MD_DEVICES=2
MD_METADATA=1.2
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_DEVNAME=tandem-data
MD_NAME=n1:tandem-data
MD_DEVICE_dev_sda_ROLE=0
MD_DEVICE_dev_sda_DEV=/dev/sda
MD_DEVICE_dev_sdb_ROLE=spare
MD_DEVICE_dev_sdb_DEV=/dev/sdb
`;

export const MDSTAT_CLEAN = `Personalities : [raid1] 
md127 : active raid1 sdb[1] sda[0]
      64512 blocks super 1.2 [2/2] [UU]
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

export const MDSTAT_DEGRADED = `Personalities : [raid1] 
md127 : active raid1 sdb[1](F) sda[0]
      64512 blocks super 1.2 [2/1] [U_]
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

/** After `mdadm --re-add`: recovery of the returned member. */
export const MDSTAT_RECOVERING = `Personalities : [raid1] 
md127 : active raid1 sdb[1] sda[0]
      64512 blocks super 1.2 [2/1] [U_]
      [=========>...........]  recovery = 48.0% (31360/64512) finish=0.0min speed=15680K/sec
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

/** Written from the format (not captured): an inactive array holding a spare, and a resync. */
export const MDSTAT_RESYNC_AND_INACTIVE = `Personalities : [raid1] 
md126 : inactive sdd[1](S)
      1046528 blocks super 1.2
       
md127 : active raid1 sdc[1] sdb[0]
      1046528 blocks super 1.2 [2/2] [UU]
      [=========>...........]  resync = 47.0% (491904/1046528) finish=1.2min speed=7600K/sec
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

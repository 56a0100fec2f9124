/**
 * Output samples of the real tools, WRITTEN FROM THEIR DOCUMENTED FORMATS (mdadm 4.2's Detail.c and
 * super1.c print statements, the kernel's md /proc/mdstat layout, open-iscsi 2.1's session printer),
 * not captured from a run: the host kernel here has no md or iscsi_tcp. Each needs checking against a
 * real run in the VM lab; the README lists them.
 */

/** `iscsiadm -m session -P 3`, two sessions through Tandem's iface; the second one in recovery. */
export const SESSIONS_P3 = `iSCSI Transport Class version 2.0-870
version 2.1.8
Target: iqn.2026-12.org.tandem:array1 (non-flash)
	Current Portal: 198.51.100.21:3260,1
	Persistent Portal: 198.51.100.21:3260,1
		**********
		Interface:
		**********
		Iface Name: tandem-storage
		Iface Transport: tcp
		Iface Initiatorname: iqn.2026-12.org.tandem:db1
		Iface IPaddress: 198.51.100.11
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
		LUN reset Timeout: 30
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
		************************
		Attached SCSI devices:
		************************
		Host Number: 2	State: running
		scsi2 Channel 00 Id 0 Lun: 0
			Attached scsi disk sdb		State: running
Target: iqn.2026-12.org.tandem:array2 (non-flash)
	Current Portal: 198.51.100.22:3260,1
	Persistent Portal: 198.51.100.22:3260,1
		**********
		Interface:
		**********
		Iface Name: tandem-storage
		Iface Transport: tcp
		Iface Netdev: eth1
		SID: 2
		iSCSI Connection State: TRANSPORT WAIT
		iSCSI Session State: FAILED
		Internal iscsid Session State: REOPEN
		************************
		Attached SCSI devices:
		************************
		Host Number: 3	State: running
		scsi3 Channel 00 Id 0 Lun: 0
			Attached scsi disk sdc		State: transport-offline
`;

/** `mdadm --examine --export /dev/sdb` on a 1.2 superblock. */
export const EXAMINE_EXPORT = `MD_LEVEL=raid1
MD_DEVICES=2
MD_NAME=db1:tandem-data
MD_ARRAY_SIZE=1071.64MB
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_UPDATE_TIME=1796108400
MD_DEV_UUID=6a1f0c3b:2e4d5a69:8b7c1d0e:f2a3b4c5
MD_EVENTS=1187
`;

/** `mdadm --examine /dev/sdb` (the parts Tandem reads), from the survivor: it recorded slot 1 as missing. */
export const EXAMINE_SURVIVOR = `/dev/sdb:
          Magic : a92b4efc
        Version : 1.2
    Feature Map : 0x1
     Array UUID : 3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
           Name : db1:tandem-data
  Creation Time : Tue Dec  1 08:00:00 2026
     Raid Level : raid1
   Raid Devices : 2

 Avail Dev Size : 2093056 sectors (1022.00 MiB 1071.64 MB)
     Array Size : 1046528 KiB (1022.00 MiB 1071.64 MB)
    Data Offset : 4096 sectors
   Super Offset : 8 sectors
          State : clean
    Device UUID : 6a1f0c3b:2e4d5a69:8b7c1d0e:f2a3b4c5

Internal Bitmap : 8 sectors from superblock
    Update Time : Tue Dec  1 09:00:00 2026
  Bad Block Log : 512 entries available at offset 16 sectors
       Checksum : 1c2b3a49 - correct
         Events : 1187


   Device Role : Active device 0
   Array State : A. ('A' == active, '.' == missing, 'R' == replacing)
`;

/** `mdadm --detail --export /dev/md/tandem-data` with both members in sync. */
export const DETAIL_CLEAN = `MD_LEVEL=raid1
MD_DEVICES=2
MD_METADATA=1.2
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_DEVNAME=tandem-data
MD_NAME=db1:tandem-data
MD_DEVICE_dev_sdb_ROLE=0
MD_DEVICE_dev_sdb_DEV=/dev/sdb
MD_DEVICE_dev_sdc_ROLE=1
MD_DEVICE_dev_sdc_DEV=/dev/sdc
`;

/** The same while sdc, re-added, is being rebuilt; and a faulty member form. */
export const DETAIL_FAULTY = `MD_LEVEL=raid1
MD_DEVICES=2
MD_METADATA=1.2
MD_UUID=3f6b1c2e:9a0d4b7f:5c1e8a22:7d90e4c1
MD_DEVICE_dev_sdb_ROLE=0
MD_DEVICE_dev_sdb_DEV=/dev/sdb
MD_DEVICE_dev_sdc_ROLE=faulty
MD_DEVICE_dev_sdc_DEV=/dev/sdc
`;

export const MDSTAT_CLEAN = `Personalities : [raid1] 
md127 : active raid1 sdc[1] sdb[0]
      1046528 blocks super 1.2 [2/2] [UU]
      bitmap: 0/1 pages [0KB], 65536KB chunk

unused devices: <none>
`;

export const MDSTAT_DEGRADED = `Personalities : [raid1] 
md127 : active raid1 sdc[1](F) sdb[0]
      1046528 blocks super 1.2 [2/1] [U_]
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

export const MDSTAT_RECOVERING = `Personalities : [raid1] 
md127 : active raid1 sdc[2] sdb[0]
      1046528 blocks super 1.2 [2/1] [U_]
      [==>..................]  recovery = 12.6% (132096/1046528) finish=0.5min speed=26419K/sec
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

export const MDSTAT_RESYNC_AND_INACTIVE = `Personalities : [raid1] 
md126 : inactive sdd[1](S)
      1046528 blocks super 1.2
       
md127 : active raid1 sdc[1] sdb[0]
      1046528 blocks super 1.2 [2/2] [UU]
      [=========>...........]  resync = 47.0% (491904/1046528) finish=1.2min speed=7600K/sec
      bitmap: 1/1 pages [4KB], 65536KB chunk

unused devices: <none>
`;

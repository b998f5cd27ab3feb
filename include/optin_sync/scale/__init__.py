"""Scale-out of planning: the same plan computed in buckets that separate workers can process.

Above ``OPTIN_SYNC_BUCKET_THRESHOLD_ROWS`` profiles plus customers, planning runs in four steps:

1. prepare (one task): build keys and drop shared keys over the whole run, then split the keys by a hash of the match
   key and the customers' channel states by a hash of ``userapp_id`` into ``OPTIN_SYNC_BUCKETS`` buckets;
2. match (one task per key bucket): join the two sides' keys of the bucket. A key lands in one bucket only, so the
   buckets' pairs together are the pairs of the whole run. Each pair goes to its customer's bucket, with the facts
   of its profile;
3. decide (one task per customer bucket): decisions and the desired ``opt_in_vtex`` of the bucket's customers, which
   depend on each customer's own pairs, channel states and profile facts only;
4. reduce (one task): concatenate the decisions, then apply the parts that need the whole run: the write budget,
   target identifiers, the mass-change guard and the quarantine.

Bucket files are Parquet in the run's raw zone, because they hold match keys and profile facts.
"""

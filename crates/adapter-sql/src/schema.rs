//! Diesel's view of the tables in `migrations/`.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        first_name -> Text,
        last_name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_login -> Nullable<Timestamptz>,
        profile_version -> Int8,
        bio -> Text,
        profile_picture -> Nullable<Text>,
        theme -> Text,
        notify_email -> Bool,
        notify_push -> Bool,
        notify_frequency -> Text,
        notify_time_zone -> Text,
        notify_quiet_start -> Nullable<Time>,
        notify_quiet_end -> Nullable<Time>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Uuid,
        scope -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        action -> Text,
        actor_id -> Nullable<Uuid>,
        at -> Timestamptz,
        previous_state -> Nullable<Jsonb>,
        new_state -> Nullable<Jsonb>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        seq -> Nullable<Int8>,
        prev_hash -> Nullable<Bytea>,
        hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    audit_chain_heads (scope) {
        scope -> Text,
        seq -> Int8,
        hash -> Bytea,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        aggregate -> Text,
        effects -> Jsonb,
        created_at -> Timestamptz,
        available_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        applied_at -> Nullable<Timestamptz>,
        scope -> Text,
        barrier -> Bool,
        lease_owner -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        dead_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    teams (id) {
        id -> Uuid,
        name -> Text,
        description -> Text,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    team_memberships (team_id, user_id) {
        team_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        joined_at -> Timestamptz,
        follow -> Text,
    }
}

diesel::table! {
    role_permissions (team_id, role) {
        team_id -> Uuid,
        role -> Text,
        permissions -> Array<Text>,
    }
}

diesel::joinable!(team_memberships -> teams (team_id));
diesel::joinable!(team_memberships -> users (user_id));

diesel::table! {
    tasks (id) {
        id -> Uuid,
        team_id -> Uuid,
        title -> Text,
        status -> Text,
        priority -> Int2,
        assignee_id -> Nullable<Uuid>,
        creator_id -> Uuid,
        due_date -> Nullable<Timestamptz>,
        tags -> Array<Text>,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        description -> Text,
        custom_fields -> Jsonb,
        attachments -> Jsonb,
        started_at -> Nullable<Timestamptz>,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Uuid,
        key -> Text,
        request_hash -> Text,
        response -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    comments (id) {
        id -> Uuid,
        task_id -> Uuid,
        team_id -> Uuid,
        author_id -> Uuid,
        content -> Text,
        mentioned_users -> Array<Uuid>,
        created_at -> Timestamptz,
        last_edited_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    mail_queue (notification_id) {
        notification_id -> Uuid,
        user_id -> Uuid,
        batch_key -> Text,
        frequency -> Text,
        notification -> Jsonb,
        due_at -> Timestamptz,
        attempts -> Int4,
        lease_owner -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(tasks -> teams (team_id));
diesel::joinable!(mail_queue -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    comments,
    mail_queue,
    tasks,
    teams,
    team_memberships,
    role_permissions,
    users
);

diesel::table! {
    task_reminders (task_id, threshold, due_date) {
        task_id -> Uuid,
        threshold -> Text,
        due_date -> Timestamptz,
        armed_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
    }
}

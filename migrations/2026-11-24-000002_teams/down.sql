DROP TABLE role_permissions;
DROP TABLE team_memberships;
DROP TABLE teams;

/*
 * page_account.h — sign-in, sign-out, sign-up and the admin's accounts page of
 * `benchaas serve` (docs/serve.md, "Pages"); the accounts are accounts.h's.
 */
#ifndef BENCHAAS_PAGE_ACCOUNT_H
#define BENCHAAS_PAGE_ACCOUNT_H

#include "http.h"

/* GET and POST /login (fields user, password, next), POST /logout. */
int page_login(http_req *r, http_resp *o);
int page_login_post(http_req *r, http_resp *o);
int page_logout(http_req *r, http_resp *o);
/* GET and POST /signup, when the server was started with --signup. */
int page_signup(http_req *r, http_resp *o);
int page_signup_post(http_req *r, http_resp *o);
/* GET /admin/users; POST /admin/users (a new user); POST /admin/users/{name} (action
 * role, disable or enable). */
int page_admin(http_req *r, http_resp *o);
int page_admin_add(http_req *r, http_resp *o);
int page_admin_user(http_req *r, http_resp *o);

#endif
